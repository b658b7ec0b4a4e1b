#!/usr/bin/env bash
# Makes what docker-compose.yml's secured Kafka needs, once, in deploy/compose/secrets/ (git ignores it):
#   kafka.p12, truststore.p12   the broker's self-signed TLS certificate (names kafka and localhost) and the
#                               trust store every client verifies it with
#   kafka.env                   the broker's store passwords and its own (super user) PLAIN account
#   admin.properties            Kafka client settings of that account, for kafka-init and the health check
#   kafka-users.txt             "user password" per SCRAM user, for kafka-init to create
#   <principal>.properties      Kafka client settings of each principal inside the containers (STREAMTUNE_KAFKA_CONFIG)
#   host-<principal>.properties the same for clients on the host (localhost:9092), e.g.
#                               ./streamtune produce ... --kafka-config deploy/compose/secrets/host-producer.properties
#   schema-registry.env         Confluent Schema Registry's Kafka store settings (its principal is "registry")
# Every password is random. Needs keytool (any JDK or JRE 17+) and openssl or /dev/urandom.
# Run it again with --force to replace everything (then `docker compose down -v`: the broker keeps old users).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${STREAMTUNE_SECRETS_DIR:-$here/secrets}"
# the principals of StreamtuneAcls (platform/src/main/java/dev/streamtune/platform/StreamtuneAcls.java)
principals=(producer ingest featurizer trainer evaluator dashboard subscriber registry)
super_user=admin

if [[ -e "$out/kafka.p12" && "${1:-}" != "--force" ]]; then
    echo "$out already holds secrets; pass --force to replace them" >&2
    exit 1
fi
keytool_bin="${KEYTOOL:-$(command -v keytool || true)}"
if [[ -z "$keytool_bin" && -n "${JAVA_HOME:-}" ]]; then
    keytool_bin="$JAVA_HOME/bin/keytool"
fi
if [[ ! -x "$keytool_bin" ]]; then
    echo "keytool not found: install a JDK/JRE, set JAVA_HOME, or run this script in eclipse-temurin:17-jre" >&2
    exit 1
fi

secret() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 24; }

rm -rf "$out"
mkdir -p "$out"
chmod 700 "$out"
store_password="$(secret)"
admin_password="$(secret)"

"$keytool_bin" -genkeypair -alias kafka -keyalg EC -groupname secp256r1 -validity 825 -dname "CN=kafka" \
    -ext "SAN=dns:kafka,dns:localhost,ip:127.0.0.1" -keystore "$out/kafka.p12" -storetype PKCS12 \
    -storepass "$store_password" -keypass "$store_password" 2>/dev/null
"$keytool_bin" -exportcert -rfc -alias kafka -keystore "$out/kafka.p12" -storepass "$store_password" \
    -file "$out/kafka.crt" 2>/dev/null
"$keytool_bin" -importcert -noprompt -alias kafka -file "$out/kafka.crt" -keystore "$out/truststore.p12" \
    -storetype PKCS12 -storepass "$store_password" 2>/dev/null

plain_jaas="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$super_user\" password=\"$admin_password\""
cat > "$out/kafka.env" <<EOF
KAFKA_SSL_KEYSTORE_PASSWORD=$store_password
KAFKA_SSL_KEY_PASSWORD=$store_password
KAFKA_SSL_TRUSTSTORE_PASSWORD=$store_password
KAFKA_LISTENER_NAME_INTERNAL_PLAIN_SASL_JAAS_CONFIG='$plain_jaas user_$super_user="$admin_password";'
KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG='$plain_jaas user_$super_user="$admin_password";'
EOF

# client settings: $1 file, $2 mechanism, $3 JAAS, $4 trust store path as the client sees it
client() {
    cat > "$1" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=$2
sasl.jaas.config=$3
ssl.truststore.type=PKCS12
ssl.truststore.location=$4
ssl.truststore.password=$store_password
EOF
}
client "$out/admin.properties" PLAIN "$plain_jaas;" /run/secrets/kafka-truststore

: > "$out/kafka-users.txt"
for principal in "${principals[@]}"; do
    password="$(secret)"
    echo "$principal $password" >> "$out/kafka-users.txt"
    jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$principal\" password=\"$password\";"
    client "$out/$principal.properties" SCRAM-SHA-512 "$jaas" /run/secrets/kafka-truststore
    client "$out/host-$principal.properties" SCRAM-SHA-512 "$jaas" "$out/truststore.p12"
    if [[ "$principal" == registry ]]; then
        cat > "$out/schema-registry.env" <<EOF
SCHEMA_REGISTRY_KAFKASTORE_SASL_JAAS_CONFIG='$jaas'
SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_PASSWORD=$store_password
EOF
    fi
done
# the containers run as other users than the one running this script; the directory itself stays private
chmod 644 "$out"/*
echo "secrets for ${#principals[@]} principals and the broker written to $out"
