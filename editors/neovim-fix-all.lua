-- Headless Neovim as a real LSP client of `dockfix server`: attach the
-- server to the file given as argument, apply `source.fixAll.dockfix`, write
-- the file, quit. Written for Neovim 0.7 (Debian bookworm) and later.
-- Usage: DOCKFIX=/path/to/dockfix nvim --headless -u NONE -i NONE -n \
--   -c "luafile editors/neovim-fix-all.lua" path/to/Dockerfile
local dockfix = os.getenv("DOCKFIX") or "dockfix"
local file = vim.fn.argv(0)
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buffer = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "dockfix",
  cmd = { dockfix, "server" },
  root_dir = vim.fn.fnamemodify(file, ":p:h"),
})
vim.lsp.buf_attach_client(buffer, client_id)
local client = vim.lsp.get_client_by_id(client_id)
local ready = vim.wait(10000, function()
  return client.initialized
end, 20)
if not ready then
  io.stderr:write("dockfix server did not initialize\n")
  vim.cmd("cquit 3")
end
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buffer),
  range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } },
  context = { diagnostics = {}, only = { "source.fixAll.dockfix" } },
}
local responses = vim.lsp.buf_request_sync(buffer, "textDocument/codeAction", params, 10000)
local applied = 0
for _, response in pairs(responses or {}) do
  for _, action in ipairs(response.result or {}) do
    if action.kind == "source.fixAll.dockfix" and action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
      applied = applied + 1
    end
  end
end
if applied == 0 then
  io.stderr:write("no source.fixAll.dockfix action\n")
  vim.cmd("cquit 4")
end
vim.cmd("write")
vim.lsp.stop_client(client_id)
vim.cmd("qall!")
