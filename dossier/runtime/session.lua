-- dossier's pandoc session (``pandoc lua session.lua PANDOC ROLE``): one pandoc process
-- serves a build's conversions in turn, so that pandoc starts once and citeproc builds its
-- collation tables once, while dossier is still loading the dossier.
--
-- A request is a line of JSON, {"from": F, "to": T, "length": N, "csl": C, "bibliography": B},
-- then N bytes of input; "csl" asks for citeproc (with the bibliography file B). The answer is
-- a line of JSON, {"warnings": [...], "error": E, "length": N}, then N bytes of output. The
-- first line of all gives pandoc's version and the version of its JSON. A request with
-- "warm" (and "csl", "lang") readies citeproc for that language; its answer is empty.
-- Files are read only where a request names them: the style and the bibliography.

local json = require 'pandoc.json'
io.stdout:write(json.encode({version = tostring(PANDOC_VERSION),
                             api = tostring(PANDOC_API_VERSION)}), '\n')
io.stdout:flush()
local log = require 'pandoc.log'  -- after the versions: an older pandoc has none

-- The command line's reader options where pandoc.read's defaults differ from them: a
-- multiline table's relative column widths are measured against 72 columns, and the
-- abbreviations (a no-break space after "No.", "Fig."...) are pandoc's default data file's
-- (here never a user's own: the same text reads the same on every machine).
-- Read (by running pandoc) when a text format is first read: at once in the session that
-- reads (ROLE "read"), never in the one for citations (JSON in: no reader options).
local executable, role = arg[1], arg[2]
local reader_options
local function options_for (format)
  if format == 'json' then
    return {}
  end
  if not reader_options then
    local abbreviations = {}
    for line in pandoc.pipe(executable, {'--print-default-data-file', 'abbreviations'}, '')
        :gmatch('[^\n]+') do
      abbreviations[line] = true  -- a set
    end
    reader_options = {columns = 72, abbreviations = abbreviations}
  end
  return reader_options
end
if role == 'read' then
  options_for('markdown')
end

local function convert (request, input)
  local document = pandoc.read(input, request.from, options_for(request.from))
  if request.csl then
    -- The document's own metadata may not choose which files are read: these are dossier's.
    document.meta.csl = request.csl
    document.meta.bibliography = request.bibliography
    document.meta['citation-abbreviations'] = nil
    document = pandoc.utils.citeproc(document)
  end
  return pandoc.write(document, request.to)
end

local function answer (fields, output)
  fields.length = #output
  io.stdout:write(json.encode(fields), '\n', output)
  io.stdout:flush()
end

-- Citeproc builds its collation tables on the first sort (a fifth of a second), and reads a
-- locale on its first use: sort two entries in the language asked for, while nothing waits.
local function warm (csl, lang)
  local meta = {csl = csl, lang = lang,
                nocite = pandoc.Cite('', {pandoc.Citation('*', 'NormalCitation')}),
                references = {{id = 'a', type = 'book', title = 'Zebra'},
                              {id = 'b', type = 'book', title = 'Émile'}}}
  local cite = pandoc.Cite('', {pandoc.Citation('b', 'AuthorInText')})
  log.silence(pcall, pandoc.utils.citeproc, pandoc.Pandoc({pandoc.Para{cite}}, meta))
end
local function serve (request, input)
  if request.warm then  -- {"warm": true, "csl": C, "lang": L}: nothing to convert
    warm(request.csl, request.lang)
    return ''
  end
  return convert(request, input)
end

while true do
  local header = io.stdin:read('l')
  if not header then break end
  local request = json.decode(header, false)
  local input = request.length > 0 and io.stdin:read(request.length) or ''
  local messages, ok, output = log.silence(pcall, serve, request, input)
  local warnings = {}
  for _, message in ipairs(messages) do
    local fields = json.decode(json.encode(message), false)
    if fields.verbosity == 'WARNING' then
      warnings[#warnings + 1] = fields.pretty
    end
  end
  if ok then
    answer({warnings = warnings}, output)
  else
    answer({warnings = warnings, error = tostring(output)}, '')
  end
end
