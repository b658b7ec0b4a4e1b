"""Drives our schema registry with Confluent's own Python client (confluent_kafka.schema_registry).

Usage: registry_client_check.py <registry url> <id registered by the Java side>
Prints one JSON object with what the client saw; the Java test asserts on it.
Exit status 0 when every call returned; a failed call raises and exits non-zero.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

PAYMENT_V1 = json.dumps({
    "type": "record", "name": "Payment", "namespace": "pytest",
    "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}]})
PAYMENT_V2 = json.dumps({
    "type": "record", "name": "Payment", "namespace": "pytest",
    "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"},
               {"name": "currency", "type": "string", "default": "EUR"}]})
PAYMENT_BREAKING = json.dumps({
    "type": "record", "name": "Payment", "namespace": "pytest",
    "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"},
               {"name": "payer", "type": "string"}]})


def main(url, java_id):
    client = SchemaRegistryClient({"url": url})
    subject = "payments-value"
    out = {}
    out["registered_id"] = client.register_schema(subject, Schema(PAYMENT_V1, "AVRO"))
    out["registered_again_id"] = client.register_schema(subject, Schema(PAYMENT_V1, "AVRO"))
    out["compatible_v2"] = client.test_compatibility(subject, Schema(PAYMENT_V2, "AVRO"))
    out["compatible_breaking"] = client.test_compatibility(subject, Schema(PAYMENT_BREAKING, "AVRO"))
    out["v2_id"] = client.register_schema(subject, Schema(PAYMENT_V2, "AVRO"))
    try:
        client.register_schema(subject, Schema(PAYMENT_BREAKING, "AVRO"))
        out["breaking_error"] = None
    except SchemaRegistryError as e:
        out["breaking_error"] = {"http_status": e.http_status_code, "error_code": e.error_code}

    fetched = SchemaRegistryClient({"url": url}).get_schema(out["registered_id"])
    out["fetched_type"] = fetched.schema_type
    out["fetched_fields"] = [f["name"] for f in json.loads(fetched.schema_str)["fields"]]

    latest = client.get_latest_version(subject)
    out["latest"] = {"id": latest.schema_id, "version": latest.version, "subject": latest.subject}
    first = client.get_version(subject, 1)
    out["version1_id"] = first.schema_id
    looked_up = client.lookup_schema(subject, Schema(PAYMENT_V2, "AVRO"))
    out["lookup_version"] = looked_up.version
    out["versions"] = client.get_versions(subject)
    out["subjects"] = sorted(client.get_subjects())

    client.set_compatibility(subject_name=subject, level="FULL")
    out["subject_level"] = client.get_compatibility(subject)
    out["global_level"] = client.get_compatibility()

    java_schema = SchemaRegistryClient({"url": url}).get_schema(int(java_id))
    out["java_schema_name"] = json.loads(java_schema.schema_str)["name"]
    try:
        client.get_schema(99999)
        out["missing_error"] = None
    except SchemaRegistryError as e:
        out["missing_error"] = {"http_status": e.http_status_code, "error_code": e.error_code}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
