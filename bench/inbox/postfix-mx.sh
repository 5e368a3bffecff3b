#!/usr/bin/env bash
# Configures and starts a throw-away Postfix as an MX for the benchmark domain, delivering over
# LMTP to the given Dovecot, or as a sending MTA relaying everything to a given host:port.
#   postfix-mx.sh mx    DIR SMTP_PORT LMTP_PORT DOMAIN   -> Postfix listens on 127.0.0.1:SMTP_PORT
#   postfix-mx.sh relay DIR SMTP_PORT RELAY_PORT         -> Postfix relays all mail to [127.0.0.1]:RELAY_PORT
#   postfix-mx.sh stop  DIR
# Loopback only; needs root (Postfix's master runs as root and drops to the postfix user).
set -euo pipefail
mode="$1"; dir="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
if [ "$mode" = stop ]; then
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  exit 0
fi
port="$3"
mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
chmod 755 "$dir"
chown postfix "$dir/data"
common="queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix-$mode.bench.test
mydomain = bench.test
myorigin = \$myhostname
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
compatibility_level = 3.6
maillog_file = /dev/stdout
smtputf8_enable = no
biff = no
smtpd_banner = \$myhostname ESMTP
default_process_limit = 100
alias_maps =
alias_database ="
if [ "$mode" = mx ]; then
  lmtp="$4"; domain="$5"
  cat > "$dir/etc/main.cf" <<CF
$common
relay_domains =
virtual_mailbox_domains = $domain
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
smtpd_recipient_restrictions = reject_unauth_destination
lmtp_destination_concurrency_limit = 20
CF
else
  relay="$4"
  cat > "$dir/etc/main.cf" <<CF
$common
relayhost = [127.0.0.1]:$relay
smtp_tls_security_level = ${TLS_LEVEL:-may}
smtp_tls_loglevel = 1
smtpd_recipient_restrictions = permit_mynetworks, reject
default_destination_concurrency_limit = 20
CF
fi
cat > "$dir/etc/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n  -  n  60   1  pickup
cleanup   unix  n  -  n  -    0  cleanup
qmgr      unix  n  -  n  300  1  qmgr
tlsmgr    unix  -  -  n  1000? 1 tlsmgr
rewrite   unix  -  -  n  -    -  trivial-rewrite
bounce    unix  -  -  n  -    0  bounce
defer     unix  -  -  n  -    0  bounce
trace     unix  -  -  n  -    0  bounce
verify    unix  -  -  n  -    1  verify
flush     unix  n  -  n  1000? 0 flush
proxymap  unix  -  -  n  -    -  proxymap
smtp      unix  -  -  n  -    -  smtp
relay     unix  -  -  n  -    -  smtp
showq     unix  n  -  n  -    -  showq
error     unix  -  -  n  -    -  error
retry     unix  -  -  n  -    -  error
discard   unix  -  -  n  -    -  discard
lmtp      unix  -  -  n  -    -  lmtp
anvil     unix  -  -  n  -    1  anvil
scache    unix  -  -  n  -    1  scache
postlog   unix-dgram n - n - 1 postlogd
CF
# start-fg in the background: "postfix start" cannot log anywhere before its postlogd runs
# and fails silently here; the foreground master logs to stdout (maillog_file) instead
nohup postfix -c "$dir/etc" start-fg > "$dir/maillog" 2>&1 &
echo $! > "$dir/start-fg.pid"
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "postfix did not start; see $dir/maillog" >&2
exit 1
