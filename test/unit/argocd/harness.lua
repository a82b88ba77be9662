-- Runs an Argo CD health script the way Argo CD does for an argocd-cm customization, for health.test.ts.
-- usage: lua5.1 harness.lua SCRIPT OBJECT   (OBJECT: a Lua file `return { ... }`, the live object as a table)
-- Prints "<hs.status>\t<hs.message>" on stdout; exits 1 (message on stderr) when the script fails or returns
-- something else than a table with string fields.
--
-- Like Argo CD (util/lua/lua.go, UseOpenLibs=false), the script sees the base and table libraries and a safe os
-- (time, date) only: no string, math, io or debug library, and no string methods.
local scriptPath, objectPath = arg[1], arg[2]
if scriptPath == nil or objectPath == nil then
  io.stderr:write("usage: harness.lua SCRIPT OBJECT\n")
  os.exit(2)
end

local object = assert(loadfile(objectPath))()

local env = {}
for _, name in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal", "rawget",
  "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "unpack", "xpcall",
  "_VERSION" }) do
  env[name] = _G[name]
end
env.table = table
env.os = { time = os.time, date = os.date }
env._G = env
env.obj = object

local script
if setfenv then -- Lua 5.1 (what gopher-lua implements)
  script = assert(loadfile(scriptPath))
  setfenv(script, env)
else -- Lua 5.2+: same sandbox through load's env argument
  local f = assert(io.open(scriptPath, "rb"))
  local source = f:read("*a")
  f:close()
  script = assert(load(source, "@" .. scriptPath, "t", env))
end

local stringMeta = getmetatable("")
debug.setmetatable("", nil) -- argocd-cm scripts run without the string library: ("x"):upper() must fail
local ok, hs = pcall(script)
debug.setmetatable("", stringMeta)

if not ok then
  io.stderr:write("health script failed: " .. tostring(hs) .. "\n")
  os.exit(1)
end
if type(hs) ~= "table" then
  io.stderr:write("health script returned " .. type(hs) .. ", not a table\n")
  os.exit(1)
end
if type(hs.status) ~= "string" or (hs.message ~= nil and type(hs.message) ~= "string") then
  io.stderr:write("hs.status must be a string and hs.message a string or nil\n")
  os.exit(1)
end
io.write(hs.status, "\t", hs.message or "", "\n")
