package kr.oss.example.kafka.producer;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

// The seed's section 6.4 ProducerExample, as printed there, but for the broker address.
public class ProducerExample {

public static void main(String[] args) throws Exception {

Properties props = new Properties();
// kafka host 및 server 설정
props.put("bootstrap.servers", "@BOOTSTRAP@");
props.put("acks", "all"); // 카프카로부터 확인을 기다리지 않습니다.
props.put("block.on.buffer.full", "true"); //버퍼링할때사용할수있는전체메모리의사용여부
props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer"); // serialize 설정
props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer"); // serialize 설정

// producer생성
KafkaProducer<String, String> producer = new KafkaProducer<String, String>(props);

// message전달
for (int i = 0; i < 5; i++) {

String v = "hello-"+i;
producer.send(new ProducerRecord<String, String>("test", v));

}

producer.flush();
producer.close();

}
}
