"""The MCP server: the headless operations as MCP tools over stdio."""
