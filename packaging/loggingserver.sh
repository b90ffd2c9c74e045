#!/bin/sh
# /usr/bin/loggingserver: runs the server with the Node.js runtime the package carries (Debian 12's nodejs
# is 18, and the sd-notify addon only loads in the Node it was built for). exec keeps this PID, which
# systemd checks against LISTEN_PID and NotifyAccess=main.
exec /usr/lib/loggingserver/node /usr/lib/loggingserver/dist/src/loggingserver.js "$@"
