#!/bin/sh
# Entry point of the secured Kafka container (deploy/docker-compose.secure.yml): add the broker's
# SCRAM login to the configuration, format the storage with a SCRAM credential per user on the
# first start (the broker must authenticate itself before its metadata log exists), then start.
# The image's own start script is bypassed: it wants JKS keystores for SSL, we use PEM files.
set -eu
umask 077
secrets="${HUB_KAFKA_SECRETS:-/etc/kafka/hub}"
config=/tmp/server.properties
password() { tr -d '\n' < "$secrets/users/$1.password"; }

cp /opt/hub/server.properties "$config"
printf '%s\n' "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"$(password broker)\";" >> "$config"

# Client settings of the health check, as the admin (0600 in the container's /tmp).
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(password admin)";
ssl.truststore.type=PEM
ssl.truststore.location=$secrets/tls/ca.pem
PROPS

if [ ! -f /var/lib/kafka/data/meta.properties ]; then
    set --
    for file in "$secrets"/users/*.password; do
        user=$(basename "$file" .password)
        set -- "$@" --add-scram "SCRAM-SHA-512=[name=$user,password=$(password "$user")]"
    done
    /opt/kafka/bin/kafka-storage.sh format --standalone --cluster-id "$CLUSTER_ID" --config "$config" "$@"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
