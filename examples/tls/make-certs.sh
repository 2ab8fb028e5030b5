#!/bin/sh
# A private CA and one certificate per node or client, for camelfs's mutual TLS (volume option tls: true).
#
#   examples/tls/make-certs.sh DIR NAME...     e.g. make-certs.sh /etc/ssl/camelfs node1 node2 web1 web2
#
# Writes DIR/ca.pem and DIR/ca.key (keep ca.key offline), and for each NAME: DIR/NAME.pem (certificate,
# subject CN=NAME,O=camelfs) and DIR/NAME.key (unencrypted PKCS#8 EC P-256 key, mode 0600). A second run
# reuses the CA in DIR, so certificates can be added later. Needs openssl.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR NAME..." >&2; exit 2; }
dir=$1; shift
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.key" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -subj "/O=camelfs/CN=camelfs CA" -days 3650 -out "$dir/ca.pem"
fi
ext="$dir/.leaf.ext"
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' > "$ext"
for name in "$@"; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/O=camelfs/CN=$name" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr"
done
rm -f "$ext"
chmod 0644 "$dir/ca.pem" "$dir"/*.pem
