"""The SAM serial protocol of second-generation ID card readers (PROTOCOLS.md §1)."""
