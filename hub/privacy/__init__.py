"""Privacy core: identifiers, pseudonyms, field encryption, key ring, scrubbing, leak scanning.

Modules: `identifiers` (BSN, onderwijsnummer), `keyring` (keys from files or environment),
`pseudonyms` (hub and audience pseudonyms, rotation links), `fieldcrypt` (per-child AES-GCM),
`scrub` (logs), `leakscan` (records), `vectors` (shared test vectors). See docs/privacy.md.
"""
