package kr.oss.example.kafka.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import java.util.Arrays;
import java.util.Properties;

// The seed's section 6.4 ConsumerExample, as printed there, but for the broker address.
public class ConsumerExample {
public static void main(String[] args) {

Properties props = new Properties();
//환경변수설정
props.put("bootstrap.servers", "@BOOTSTRAP@"); // kafka host 및 server 설정
props.put("session.timeout.ms", "10000"); // session 설정
props.put("group.id", "test"); // topic 설정
props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"); // key deserializer
props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"); // value deserializer

KafkaConsumer<String, String> consumer = new KafkaConsumer<String, String>(props); // consumer 생성
consumer.subscribe(Arrays.asList("test")); // topic설정

while (true) { // 계속 loop를돌면서 producer의message를띄운다.
ConsumerRecords<String, String> records = consumer.poll(500);
for (ConsumerRecord<String, String> record : records) {

String s = record.topic();
if ("test".equals(s)) {

System.out.println(record.value());
} else {

throw new IllegalStateException("get message on topic " + record.topic());
}

}
}

}
}
