-- POST /payments/pay with a payment id never sent before on every request: each one is a new record.
-- The run's tag (the argument after "--") keeps two runs on one store apart; each wrk thread numbers its own ids.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local prefix
local counter = 0

function init(args)
  prefix = string.format("%s-%d-", args[1] or "run", thread_number)
end

function request()
  counter = counter + 1
  local body = string.format('{"id":"%s%d","value":12.15,"currency":"EUR"}', prefix, counter)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
