"""A Jupyter Server setting that lets slider moves come back from the kernel without delay.

Jupyter Server relays the kernel's messages to the browser over a websocket whose TCP socket
keeps Nagle's algorithm on (Tornado's default; Jupyter Server never calls ``set_nodelay``).
A slider move makes the kernel send several small messages in a row (busy, the widget's echo,
the chart's new data, idle), and Nagle holds each small one back until the browser
acknowledges the one before, which the browser's delayed ACK postpones by up to about 40 ms.
On this course's machines that added 30–40 ms to every other slider move, with any widget.

:class:`NoDelayConnection` is Jupyter Server's own kernel websocket connection with
``TCP_NODELAY`` set, chosen through the servers' documented setting
``kernel_websocket_connection_class`` (:data:`SERVER_FLAG` for JupyterLab, :data:`VOILA_FLAG`
for Voilà). ``make lab``, Binder (``binder/postBuild``), ``make calculators``, the browser
tests and the benchmark all use it. Importing this module imports Jupyter Server.
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayConnection", "SERVER_FLAG", "VOILA_FLAG"]


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's kernel websocket connection, with small messages sent at once."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


_SETTING = f"kernel_websocket_connection_class={__name__}.{NoDelayConnection.__name__}"
SERVER_FLAG = f"--ServerApp.{_SETTING}"
"""Command-line option for ``jupyter lab`` / ``jupyter server``."""
VOILA_FLAG = f"--Voila.{_SETTING}"
"""Command-line option for ``voila``."""
