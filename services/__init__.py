"""Application services: the registry's use cases, one layer below the delivery adapters.

Why a folder of its own (and not inside ``ledger/``): a use case here combines the event
store (``ledger``), the read models (``projections``) and the issuer keys (``signing``);
``ledger`` may import none of those, so the layer that joins them sits above all three
and below ``api``. ``services.bootstrap.Registry`` is the one composition root; the CLI,
the HTTP app and the projector only parse input, call a service and print its answer.
"""
