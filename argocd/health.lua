-- Argo CD health check for marketplace.platform.dev/v1alpha1 MarketplaceEnvironment.
-- Install as argocd-cm key `resource.customizations.health.marketplace.platform.dev_MarketplaceEnvironment`
-- (see argocd/README.md). Tested by test/unit/argocd/health.test.ts with Lua 5.1.
--
-- Argo CD runs this with gopher-lua (Lua 5.1) and, for scripts from argocd-cm, without the string and math
-- libraries: only the base and table libraries are used here (no string.*, no s:method(), no goto, no //).
--
--   Healthy      Ready=True, computed for the current spec: status.observedGeneration == metadata.generation and
--                the Ready condition's observedGeneration == metadata.generation.
--   Degraded     Degraded=True for the current spec (an invalid spec, a child ACK reports as terminal, ...);
--                message: the Degraded condition's message.
--   Progressing  everything else: no status yet, a status for an older generation, being deleted, not ready yet.
local hs = {}

local function findCondition(conditions, conditionType)
  if type(conditions) ~= "table" then
    return nil
  end
  for _, c in ipairs(conditions) do
    if type(c) == "table" and c.type == conditionType then
      return c
    end
  end
  return nil
end

-- A non-empty message, or the fallback.
local function text(value, fallback)
  if value == nil or value == "" then
    return fallback
  end
  return tostring(value)
end

-- "reason: message", leaving out whatever is empty.
local function describe(c, fallback)
  if c == nil then
    return fallback
  end
  local reason = text(c.reason, nil)
  local message = text(c.message, nil)
  if reason ~= nil and message ~= nil then
    return reason .. ": " .. message
  end
  return text(message, text(reason, fallback))
end

local metadata = obj.metadata
if type(metadata) ~= "table" then
  metadata = {}
end
local generation = metadata.generation
local status = obj.status

if type(status) ~= "table" then
  hs.status = "Progressing"
  hs.message = "Waiting for the marketplace operator to report status"
  return hs
end

local conditions = status.conditions
local ready = findCondition(conditions, "Ready")
local degraded = findCondition(conditions, "Degraded")

if metadata.deletionTimestamp ~= nil or status.phase == "Deleting" then
  hs.status = "Progressing"
  local detail = "waiting for the operator to remove the children"
  if ready ~= nil and ready.reason == "Deleting" then
    detail = text(ready.message, detail)
  end
  hs.message = "Deleting: " .. detail
  return hs
end

if generation == nil or status.observedGeneration == nil or status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. text(generation, "?") ..
    " (status is for generation " .. text(status.observedGeneration, "none") .. ")"
  return hs
end

-- A condition is current when it was computed for this generation (older operators may not stamp it).
local function current(c)
  return c ~= nil and (c.observedGeneration == nil or c.observedGeneration == generation)
end

if current(degraded) and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = text(degraded.message, text(degraded.reason, "Degraded"))
  return hs
end

if ready ~= nil and ready.status == "True" and ready.observedGeneration == generation then
  hs.status = "Healthy"
  hs.message = text(ready.message, "Ready")
  return hs
end

hs.status = "Progressing"
if ready == nil then
  hs.message = "Waiting for the Ready condition (phase " .. text(status.phase, "unknown") .. ")"
elseif ready.observedGeneration ~= generation then
  hs.message = "Waiting for the Ready condition of generation " .. tostring(generation)
else
  hs.message = describe(ready, "Progressing")
end
return hs
