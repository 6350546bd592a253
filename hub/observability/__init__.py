"""Operations: readiness, Prometheus metrics and structured logs with the request id."""
