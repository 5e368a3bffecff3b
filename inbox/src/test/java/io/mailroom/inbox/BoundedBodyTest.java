package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {
    static final class Subscription implements Flow.Subscription {
        boolean cancelled;

        @Override
        public void request(long n) {}

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Test
    void aBodyWithinTheLimitIsCollected() throws Exception {
        BoundedBody b = new BoundedBody(10);
        b.onSubscribe(new Subscription());
        b.onNext(List.of(ByteBuffer.wrap("hello".getBytes()), ByteBuffer.wrap("world".getBytes())));
        b.onComplete();
        assertThat(new String(b.getBody().toCompletableFuture().get())).isEqualTo("helloworld");
    }

    @Test
    void aBodyOverTheLimitIsCancelledWithAnIoException() {
        BoundedBody b = new BoundedBody(10);
        Subscription s = new Subscription();
        b.onSubscribe(s);
        b.onNext(List.of(ByteBuffer.wrap("hello".getBytes())));
        b.onNext(List.of(ByteBuffer.wrap("world!".getBytes())));
        b.onComplete();
        assertThat(s.cancelled).isTrue();
        assertThatThrownBy(() -> b.getBody().toCompletableFuture().get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
    }
}
