"""Thin API views of the laboratory, one module per resource: parse, call a selector or a
service, answer. Resource routes under /api/lab/tests/ (catalog), /api/lab/orders/ (orders,
results), /api/lab/results/, /api/lab/hl7/ and /api/lab/verifier-grants/ (grants); the
compatibility routes of the product brief are in `hms.laboratory.compat`."""
