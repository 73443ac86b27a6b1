-- POST /api/v1/app/requests as 2,000 signed-in app users (identities from $HAVEN_IDENTITIES, one JWT a line),
-- each request with its own Idempotency-Key, as the apps send them; counts non-201 answers.
local identities = {}
for line in io.lines(os.getenv("HAVEN_IDENTITIES")) do identities[#identities + 1] = line end
local bodies = {
  '{"category":"hacked_account","description":"Alguém invadiu minha conta e mudou a senha.","device":{"os":"Android 14","app_version":"34.1.2","model":"Pixel 8"}}',
  '{"category":"live_gifts","description":"البث المباشر ينقطع كل خمس دقائق منذ التحديث.","device":{"os":"iOS 18","app_version":"34.1.0"},"content":{"live_room_id":"73019"}}',
  '{"category":"payments","description":"Je n\'ai pas reçu mon paiement du mois dernier.","device":{"os":"Android 13","app_version":"33.9.1"}}',
  '{"category":"account_access","description":"I cannot log in after changing my phone.","device":{"os":"iOS 17","app_version":"34.1.2"}}',
}
local counter = 0
local threads = {}
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local n = 0
request = function()
  n = n + 1
  local identity = identities[((n * 7 + id * 131) % #identities) + 1]
  return wrk.format("POST", "/api/v1/app/requests", {
    ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. identity,
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), id, n),
  }, bodies[(n % #bodies) + 1])
end
response = function(status) if status ~= 201 then errors = (errors or 0) + 1 end end
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
