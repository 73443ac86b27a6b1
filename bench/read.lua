-- GET one ticket (with its messages) by number, spread over the first 50 tickets.
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/tickets/" .. ((n % 50) + 1), {["Authorization"] = "Bearer " .. os.getenv("HAVEN_TOKEN")})
end
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
