-- POST /api/v1/tickets with multilingual bodies; counts non-201 answers.
local bodies = {
  '{"subject":"Conta hackeada","body":"Alguém invadiu minha conta e mudou a senha.","channel":"in_app","requester":{"email":"bench-pt-%d@example.com","locale":"pt-BR"}}',
  '{"subject":"البث المباشر توقف","body":"البث المباشر ينقطع كل خمس دقائق منذ التحديث.","channel":"email","requester":{"email":"bench-ar-%d@example.com","locale":"ar"}}',
  '{"subject":"Paiement","body":"Je n\'ai pas reçu mon paiement du mois dernier.","channel":"web","requester":{"email":"bench-fr-%d@example.com","locale":"fr"}}',
  '{"subject":"Login","body":"I cannot log in after changing my phone.","channel":"api","requester":{"email":"bench-en-%d@example.com","locale":"en"}}',
}
local n = 0
local errors = 0
request = function()
  n = n + 1
  local body = string.format(bodies[(n % #bodies) + 1], n % 500)
  return wrk.format("POST", "/api/v1/tickets", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("HAVEN_TOKEN")}, body)
end
response = function(status) if status ~= 201 then errors = errors + 1 end end
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
