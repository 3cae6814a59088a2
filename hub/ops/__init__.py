"""Operations tooling: the local broker launcher, certificates, ACLs and Strimzi manifests."""
