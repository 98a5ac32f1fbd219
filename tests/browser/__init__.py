"""Browser tests: JupyterLab driven in Debian's Chromium through Playwright (see README.md)."""
