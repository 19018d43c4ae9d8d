"""Model facts: the catalogue (generated ``data/``), name inference, the tokenizer."""
