"""Privacy core: identifiers, pseudonyms, field encryption, PII scrubbing."""
