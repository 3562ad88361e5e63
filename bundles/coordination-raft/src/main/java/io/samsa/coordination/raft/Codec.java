package io.samsa.coordination.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.TransactResult;

/**
 * The wire form of commands (log entries), queries and their answers: plain data streams, so
 * nothing crosses Ratis as a Java object or a shaded protobuf type.
 */
final class Codec {
    // commands, written to the log
    static final byte OPEN_SESSION = 1;
    static final byte HEARTBEAT = 2;
    static final byte CLOSE_SESSION = 3;
    static final byte EXPIRE_SESSION = 4;
    static final byte COMPARE_AND_SET = 5;
    static final byte DELETE = 6;
    static final byte TRANSACT = 7;
    static final byte REGISTER = 8;
    static final byte UNREGISTER = 9;
    static final byte JOIN = 10;
    static final byte WITHDRAW = 11;
    // queries, answered from the state without a log entry
    static final byte READ = 20;
    static final byte CHILDREN = 21;
    static final byte LIVE_BROKERS = 22;
    static final byte CONTROLLER = 23;

    private Codec() {
    }

    /** Something that writes a message. */
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Something that reads a message. */
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static byte[] encode(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static <T> T decode(byte[] message, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Malformed coordination message of " + message.length + " bytes", e);
        }
    }

    static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        return value;
    }

    static void writeOps(DataOutputStream out, List<Op> ops) throws IOException {
        out.writeInt(ops.size());
        for (Op op : ops) {
            out.writeUTF(op.path());
            if (op instanceof Op.Check check) {
                out.writeByte(0);
                out.writeInt(check.version());
            } else if (op instanceof Op.Set set) {
                out.writeByte(1);
                writeBytes(out, set.value());
                out.writeInt(set.expectedVersion());
            } else if (op instanceof Op.Create create) {
                out.writeByte(2);
                writeBytes(out, create.value());
                out.writeBoolean(create.ephemeral());
            } else {
                out.writeByte(3);
                out.writeInt(((Op.Delete) op).expectedVersion());
            }
        }
    }

    static List<Op> readOps(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<Op> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String path = in.readUTF();
            byte kind = in.readByte();
            ops.add(switch (kind) {
                case 0 -> new Op.Check(path, in.readInt());
                case 1 -> new Op.Set(path, readBytes(in), in.readInt());
                case 2 -> new Op.Create(path, readBytes(in), in.readBoolean());
                case 3 -> new Op.Delete(path, in.readInt());
                default -> throw new IOException("Unknown op kind " + kind + " for " + path);
            });
        }
        return ops;
    }

    static void writeResult(DataOutputStream out, TransactResult result) throws IOException {
        out.writeInt(result.failedOp());
        out.writeByte(result.failure().ordinal());
        out.writeInt(result.versions().size());
        for (int v : result.versions()) {
            out.writeInt(v);
        }
    }

    static TransactResult readResult(DataInputStream in) throws IOException {
        int failedOp = in.readInt();
        TransactResult.Failure failure = TransactResult.Failure.values()[in.readByte()];
        List<Integer> versions = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
            versions.add(in.readInt());
        }
        return failure == TransactResult.Failure.NONE ? TransactResult.committed(versions)
                : TransactResult.failed(failedOp, failure);
    }

    /** A registration without its epoch, which the state assigns. */
    static byte[] registration(BrokerRegistration r) {
        return encode(out -> {
            out.writeInt(r.brokerId());
            out.writeUTF(r.host());
            out.writeInt(r.port());
            out.writeBoolean(r.rack().isPresent());
            if (r.rack().isPresent()) {
                out.writeUTF(r.rack().get());
            }
            out.writeInt(r.endpoints().size());
            for (BrokerRegistration.Endpoint e : r.endpoints()) {
                out.writeUTF(e.listenerName());
                out.writeUTF(e.securityProtocol());
                out.writeUTF(e.host());
                out.writeInt(e.port());
            }
        });
    }

    static BrokerRegistration registration(byte[] bytes, long epoch) {
        return decode(bytes, in -> {
            int id = in.readInt();
            String host = in.readUTF();
            int port = in.readInt();
            Optional<String> rack = in.readBoolean() ? Optional.of(in.readUTF()) : Optional.empty();
            List<BrokerRegistration.Endpoint> endpoints = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                endpoints.add(new BrokerRegistration.Endpoint(in.readUTF(), in.readUTF(), in.readUTF(), in.readInt()));
            }
            return new BrokerRegistration(id, host, port, rack, epoch, endpoints);
        });
    }

    /** Applies one log entry to {@code tree}; the answer goes back to the client that wrote it. */
    static byte[] apply(MetadataTree tree, byte[] command, MetadataTree.Events events) {
        return decode(command, in -> {
            byte kind = in.readByte();
            return switch (kind) {
                case OPEN_SESSION -> {
                    long id = tree.openSession(in.readInt());
                    yield encode(out -> out.writeLong(id));
                }
                case HEARTBEAT -> {
                    boolean live = tree.isLive(in.readLong());
                    yield encode(out -> out.writeBoolean(live));
                }
                case CLOSE_SESSION, EXPIRE_SESSION -> {
                    boolean ended = tree.endSession(in.readLong(), kind == EXPIRE_SESSION, events);
                    yield encode(out -> out.writeBoolean(ended));
                }
                case COMPARE_AND_SET -> {
                    String path = in.readUTF();
                    byte[] value = readBytes(in);
                    int version = tree.compareAndSet(path, value, in.readInt(), events);
                    yield encode(out -> out.writeInt(version));
                }
                case DELETE -> {
                    boolean deleted = tree.remove(in.readUTF(), in.readInt(), events);
                    yield encode(out -> out.writeBoolean(deleted));
                }
                case TRANSACT -> {
                    long session = in.readLong();
                    TransactResult result = tree.transact(session, readOps(in), events);
                    yield encode(out -> writeResult(out, result));
                }
                case REGISTER -> {
                    long session = in.readLong();
                    int brokerId = in.readInt();
                    long epoch = tree.register(session, brokerId, readBytes(in), events);
                    yield encode(out -> out.writeLong(epoch));
                }
                case UNREGISTER -> {
                    boolean done = tree.unregister(in.readLong(), in.readInt(), events);
                    yield encode(out -> out.writeBoolean(done));
                }
                case JOIN -> {
                    long candidate = tree.join(in.readLong(), in.readInt(), events);
                    yield encode(out -> out.writeLong(candidate));
                }
                case WITHDRAW -> {
                    boolean done = tree.withdraw(in.readLong(), events);
                    yield encode(out -> out.writeBoolean(done));
                }
                default -> throw new IOException("Unknown coordination command " + kind);
            };
        });
    }

    /** Answers a read-only query from {@code tree}. */
    static byte[] query(MetadataTree tree, byte[] query) {
        return decode(query, in -> {
            byte kind = in.readByte();
            return switch (kind) {
                case READ -> {
                    MetadataTree.Node n = tree.node(in.readUTF());
                    yield encode(out -> {
                        out.writeBoolean(n != null);
                        if (n != null) {
                            writeBytes(out, n.value());
                            out.writeInt(n.version());
                        }
                    });
                }
                case CHILDREN -> {
                    List<String> names = tree.children(in.readUTF());
                    yield encode(out -> {
                        out.writeInt(names.size());
                        for (String name : names) {
                            out.writeUTF(name);
                        }
                    });
                }
                case LIVE_BROKERS -> encode(out -> {
                    out.writeInt(tree.brokers().size());
                    for (MetadataTree.Broker b : tree.brokers().values()) {
                        out.writeLong(b.epoch());
                        writeBytes(out, b.registration());
                    }
                });
                case CONTROLLER -> {
                    int id = tree.controllerId();
                    yield encode(out -> out.writeInt(id));
                }
                default -> throw new IOException("Unknown coordination query " + kind);
            };
        });
    }
}
