"""Pure stages: no Kafka, no Faust. See chain.py for how they fit together."""
