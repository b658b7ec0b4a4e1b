"""A non-Java producer: registers LabelledExample with Confluent's own SchemaRegistryClient and
produces one Confluent-framed Avro record with librdkafka (confluent_kafka). The Avro binary is
written by hand here (Debian ships no fastavro), which also pins the wire format independently
of our Java serde.

usage: produce_labelled_example.py BOOTSTRAP REGISTRY_URL TOPIC SCHEMA_FILE ID TEXT LABEL
       produce_labelled_example.py BOOTSTRAP REGISTRY_URL TOPIC SCHEMA_FILE --file EXAMPLES.jsonl
         (one {"id", "text", "label"} object per line)
prints: schema_id=N, then produced=N
"""
import json
import struct
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient


def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def opt_string(s):
    if s is None:
        return zigzag(0)
    data = s.encode("utf-8")
    return zigzag(1) + zigzag(len(data)) + data


def encode(schema_id, ex_id, text, label):
    # LabelledExample: id, task, text, label (optional strings), weight, split, source, eventTime (null), metadata {}
    body = (opt_string(ex_id) + opt_string("spam") + opt_string(text) + opt_string(label)
            + zigzag(0) + zigzag(0) + zigzag(0) + zigzag(0) + zigzag(0))
    return struct.pack(">bI", 0, schema_id) + body


def main():
    bootstrap, registry_url, topic, schema_file = sys.argv[1:5]
    if sys.argv[5] == "--file":
        with open(sys.argv[6], encoding="utf-8") as f:
            examples = [json.loads(line) for line in f if line.strip()]
    else:
        examples = [{"id": sys.argv[5], "text": sys.argv[6], "label": sys.argv[7]}]
    with open(schema_file, encoding="utf-8") as f:
        schema = Schema(f.read(), "AVRO")
    client = SchemaRegistryClient({"url": registry_url})
    schema_id = client.register_schema(topic + "-value", schema)
    print("schema_id=%d" % schema_id, flush=True)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    for e in examples:
        producer.produce(topic, key=e["id"].encode(), value=encode(schema_id, e["id"], e["text"], e["label"]))
        producer.poll(0)
    if producer.flush(60) != 0:
        sys.exit("records not delivered within 60 s")
    print("produced=%d" % len(examples), flush=True)


if __name__ == "__main__":
    main()
