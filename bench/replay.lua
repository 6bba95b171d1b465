-- POST /payments/pay with one payment, again and again: every request after the first is an idempotent replay.
-- The benchmark records the payment once before the measurement, so each measured request is a replay.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"bench-replay","value":12.15,"currency":"EUR"}'
