"""Views per audience: the sharing policy, the projection, the audit trail, parents' rights."""
