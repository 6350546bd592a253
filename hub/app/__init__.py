"""The app layer: the factory that assembles the hub from its parts.

`hub.app:create_app_from_env` is the import string uvicorn's workers use.
"""

from hub.app.factory import create_app, create_app_from_env
from hub.app.services import HubServices, build_services, close_services

__all__ = ["HubServices", "build_services", "close_services", "create_app", "create_app_from_env"]
