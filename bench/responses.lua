-- wrk script for `cargo xtask bench`: every request is a new, valid schema-1 response with a
-- unique v4 id (thread number and a counter in the last group), so every 2xx is a new row.
local counter = 0
local thread_no = 0
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_no = tonumber(wrk.thread:get("thread_no")) or 0
end

local stages = { "scored", "completed" }
local categories = { [0] = "detractor", "detractor", "detractor", "detractor", "detractor", "detractor",
                     "detractor", "passive", "passive", "promoter", "promoter" }

function request()
  counter = counter + 1
  local score = counter % 11
  local id = string.format("%08x-0000-4000-8000-%012x", thread_no, counter)
  local body = '{"schema":1,"id":"' .. id .. '","survey":"after-sales","stage":"' .. stages[1 + counter % 2] ..
    '","score":' .. score .. ',"category":"' .. categories[score] ..
    '","reasons":["wait_time"],"comment":null,"contact":null,"context":{"store":"SZ-FT","advisor":"wang"},' ..
    '"locale":"zh-CN","page":"https://example.com/qr","created_at":"2026-11-23T08:00:00.000Z",' ..
    '"updated_at":"2026-11-23T08:00:01.000Z","write_key":"' .. string.format("%032x", counter) .. '"}'
  return wrk.format("POST", "/api/responses", { ["Content-Type"] = "application/json" }, body)
end
