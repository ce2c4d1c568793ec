"""`govcat serve`: the web validator (SPEC §6.4) for departments without git, CI or Python.

A Starlette application on uvicorn. The page and the API (``/api/v1``) are equal: both send the
uploaded files to a bounded pool of worker processes (pool.py), where the same engine as
`govcat validate` checks them in a private temporary folder that is deleted before the answer
leaves the worker (worker.py). The main process only admits, reads and answers requests, so a slow
or hostile upload costs a worker, never the server.
"""
