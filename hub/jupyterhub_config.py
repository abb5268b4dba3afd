"""JupyterHub in front of danvan-kit: every user gets their own Voilà over notebooks/ (`danvan serve --hub`).

Run from the project folder: `.venv/bin/jupyterhub -f hub/jupyterhub_config.py` (needs
configurable-http-proxy: `npm install -g configurable-http-proxy`). Set in the hub's
environment: DANVAN_DB_URL (one PostgreSQL store for every user's server), and optionally
DANVAN_HUB_DATA (where each user's data folder, i.e. their logs, goes; default ./data/hub),
DANVAN_OUTPUT_DIR (the shared workbook folder; default ./data/xuat-excel), DANVAN_HUB_PORT (8000).
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub's config loader defines it

project = Path(__file__).resolve().parent.parent
danvan = str(Path(sys.executable).parent / "danvan")
hub_data = Path(os.environ.get("DANVAN_HUB_DATA") or project / "data" / "hub")

c.JupyterHub.ip = "127.0.0.1"                 # HTTPS at the reverse proxy in front (see README)
c.JupyterHub.port = int(os.environ.get("DANVAN_HUB_PORT", "8000"))
c.JupyterHub.hub_port = int(os.environ.get("DANVAN_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{hub_data / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_data / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(hub_data / "jupyterhub-proxy.pid")

# Logins: our accounts and passcodes (under the store's throttle); any active account may start its server.
# One login, at the hub: it opens the browser's store session, which the user's server requires besides
# the hub's OAuth (danvan_kit/app/hub_door.py); a passcode reset, a disabled account, `danvan sessions end`
# or the hub's logout end it, and with it the hub login (checked every Authenticator.auth_refresh_age, 60 s).
c.JupyterHub.authenticator_class = "danvan_kit.app.hub.DanvanAuthenticator"
c.Authenticator.allow_all = True

# Each user's server: our Voilà over notebooks/ with the project's voila.json, as a local process of
# the hub's own system user (no system account per staff member). The port and the base URL
# /user/<name>/ come from the hub's environment (JupyterHub does not fill {port} in a command).
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(hub_data / "users" / "{username}")
c.Spawner.cmd = [danvan, "serve", "--hub"]
c.Spawner.environment = {
    "DANVAN_DB_URL": os.environ.get("DANVAN_DB_URL", ""),
    # a callable: JupyterHub fills no "{username}" in an environment value (each server's own logs folder)
    "DANVAN_DATA_DIR": lambda spawner: str(hub_data / "users" / spawner.user.name),
    "DANVAN_OUTPUT_DIR": os.environ.get("DANVAN_OUTPUT_DIR") or str(project / "data" / "xuat-excel"),
    "DANVAN_TEMPLATES": os.environ.get("DANVAN_TEMPLATES") or str(project / "templates"),
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Servers nobody used for an hour are stopped by the hub's idle culler if installed
# (jupyterhub-idle-culler); the kernels of closed pages are culled by Voilà (voila.json).
