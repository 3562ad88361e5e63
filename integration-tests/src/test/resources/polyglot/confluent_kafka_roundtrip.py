"""confluent-kafka-python (librdkafka): produce, then consume through a consumer group."""
import sys
import time
from confluent_kafka import Consumer, Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'enable.idempotence': True})
errors = []
for i in range(count):
    producer.produce(topic, key=b'k%d' % i, value=b'librdkafka-%d' % i,
                     on_delivery=lambda err, msg: errors.append(err) if err else None)
producer.flush(30)
if errors:
    print('delivery errors: %s' % errors, file=sys.stderr)
    sys.exit(2)

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'rdkafka-group',
                     'auto.offset.reset': 'earliest'})
consumer.subscribe([topic])
seen = []
deadline = time.time() + 60
while len(seen) < count and time.time() < deadline:
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error():
        print('consumer error: %s' % msg.error(), file=sys.stderr)
        continue
    seen.append(msg.value().decode())
consumer.commit(asynchronous=False)
consumer.close()
for v in seen:
    print(v)
