"""kafka-python (pure Python client): produce, then consume through a consumer group."""
import sys
from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all')
for i in range(count):
    producer.send(topic, key=b'k%d' % i, value=b'kafka-python-%d' % i)
producer.flush()
producer.close()

consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id='py-group',
                         auto_offset_reset='earliest', consumer_timeout_ms=20000)
seen = []
for record in consumer:
    seen.append(record.value.decode())
    if len(seen) >= count:
        break
consumer.commit()
consumer.close()
for v in seen:
    print(v)
