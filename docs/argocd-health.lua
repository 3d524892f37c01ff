-- Argo CD health check for every kind in the agentcore.dev group.
--
-- The agentcore.dev CRDs are kstatus-compliant: the operator writes status.observedGeneration only when
-- it has finished with a generation (the CRD defaults it to -1), Ready is always present once an object
-- has been reconciled, and Reconciling and Stalled are present only while True.
--
-- Written for Argo CD's sandbox (gopher-lua, Lua 5.1): it uses nothing beyond the base library, which
-- Argo CD opens even when resource.customizations.useOpenLibs is off.

local function health(status, message)
  return { status = status, message = message }
end

local function findCondition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function present(text)
  return text ~= nil and text ~= ""
end

-- The message if there is one, otherwise the reason, so Argo CD never shows an empty message.
local function describe(condition)
  if present(condition.message) then
    return condition.message
  end
  return condition.reason or ""
end

local function waitingFor(generation)
  if generation == nil then
    return health("Progressing", "Waiting for the operator to reconcile")
  end
  return health("Progressing", "Waiting for the operator to observe generation " .. tostring(generation))
end

local metadata = obj.metadata or {}
local spec = obj.spec or {}
local status = obj.status

if metadata.deletionTimestamp ~= nil then
  return health("Progressing", "Pending deletion")
end

if spec.suspend == true then
  return health("Suspended", "Reconciliation is suspended (spec.suspend: true)")
end

local generation = metadata.generation
if status == nil then
  return waitingFor(generation)
end

local stalled = findCondition(status.conditions, "Stalled")
local isStalled = stalled ~= nil and stalled.status == "True"

-- A spec the operator gave up on is Degraded even before status.observedGeneration catches up: the
-- Stalled condition records the generation it judged, so it is not a leftover from an older spec.
if isStalled and (generation == nil or stalled.observedGeneration == generation or status.observedGeneration == generation) then
  return health("Degraded", describe(stalled))
end

if generation ~= nil and status.observedGeneration ~= generation then
  return waitingFor(generation)
end

local reconciling = findCondition(status.conditions, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  return health("Progressing", describe(reconciling))
end

local ready = findCondition(status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  return health("Healthy", describe(ready))
end

if ready ~= nil and ready.status == "False" then
  if present(ready.reason) and present(ready.message) then
    return health("Degraded", ready.reason .. ": " .. ready.message)
  end
  return health("Degraded", describe(ready))
end

if ready ~= nil and present(ready.message) then
  return health("Progressing", ready.message)
end
return health("Progressing", "Waiting for the operator to report Ready")
