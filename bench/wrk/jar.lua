-- What both scripts share: a browser's cookie jar and a count of statuses.
-- wrk runs one Lua state per thread: the jar is the thread's (its connections are like
-- the tabs of one browser).  wrk hands a response's headers over as a table, so of
-- several Set-Cookie headers in one response only the last is seen; a step page sets
-- at most one (the session's, on a first visit), and the draft's two cookies are set
-- for the post script by bench/run.py before wrk starts (see step_post.lua).
local jar = {}
local M = {statuses = {}, sent = {}}

function M.seed(cookie_header)
  for pair in string.gmatch(cookie_header or "", "([^;]+)") do
    local name, value = string.match(pair, "^%s*([^=]+)=(.*)$")
    if name then jar[name] = value end
  end
end

function M.store(headers)
  for key, value in pairs(headers) do
    if string.lower(key) == "set-cookie" then
      local name, val = string.match(value, "^%s*([^=;]+)=([^;]*)")
      local lower = string.lower(value)
      if name and (val == "" or string.find(lower, "max-age=0", 1, true)
                   or string.find(lower, "expires=thu, 01 jan 1970", 1, true)) then
        jar[name] = nil
      elseif name then
        jar[name] = val
      end
    end
  end
end

function M.cookie()
  local parts = {}
  for name, value in pairs(jar) do parts[#parts + 1] = name .. "=" .. value end
  return table.concat(parts, "; ")
end

function M.count(status)
  M.statuses[status] = (M.statuses[status] or 0) + 1
end

-- One line per thread for bench/run.py: statuses and what was sent (wrk copies a
-- thread's global tables to the main state; the scripts keep them as globals).
function M.report(threads)
  for _, thread in ipairs(threads) do
    local parts = {}
    for status, n in pairs(thread:get("statuses")) do
      parts[#parts + 1] = "status_" .. status .. "=" .. n
    end
    for kind, n in pairs(thread:get("sent")) do
      parts[#parts + 1] = "sent_" .. kind .. "=" .. n
    end
    io.write("LUA ", table.concat(parts, " "), "\n")
  end
end

return M
