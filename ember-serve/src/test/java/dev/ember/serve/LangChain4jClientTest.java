package dev.ember.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.llm.chat.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's OpenAI client ({@code dev.langchain4j:langchain4j-open-ai}, written by others for OpenAI's API) against
 * the running server: chat and completions, whole and streamed, with an API key; what it reads must be the model's
 * own greedy continuation, its token usage and finish reason, and the server's errors must reach it as the exceptions
 * it raises for OpenAI's.
 */
class LangChain4jClientTest {
    static final String KEY = "test-key-0123456789";
    @TempDir
    static Path tmp;
    static OpenAiServer server;

    @BeforeAll
    static void start() {
        OpenAiServerTest.model = LocalModel.load(TinyModels.write(tmp.resolve("tiny"), 256, 11), null, Device.cpu());
        server = new OpenAiServer(new ServeConfig("127.0.0.1", 0, KEY, "tiny-chat", 4), OpenAiServerTest.model).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static OpenAiChatModel chat(String model, Double temperature) {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey(KEY).modelName(model).temperature(temperature).maxTokens(24)
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void chatModelGetsTheGreedyReplyWithUsageAndFinishReason() {
        ChatResponse r = chat("tiny-chat", 0.0).chat(ChatRequest.builder()
                .messages(SystemMessage.from("You answer riddles."), UserMessage.from("What has keys but no locks?")).build());
        String expected = OpenAiServerTest.greedyChat(List.of(ChatMessage.system("You answer riddles."),
                ChatMessage.user("What has keys but no locks?")), 24);
        assertEquals(expected, r.aiMessage().text());
        String rendered = "<|im_start|>system\nYou answer riddles.<|im_end|>\n<|im_start|>user\nWhat has keys but no locks?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertEquals(rendered.length(), r.tokenUsage().inputTokenCount());
        assertTrue(r.tokenUsage().outputTokenCount() > 0 && r.tokenUsage().outputTokenCount() <= 24, r.tokenUsage().toString());
        assertEquals(r.tokenUsage().inputTokenCount() + r.tokenUsage().outputTokenCount(), r.tokenUsage().totalTokenCount());
        assertEquals(expected.length() < 24 ? FinishReason.STOP : FinishReason.LENGTH, r.finishReason());
        assertEquals("tiny-chat", r.modelName());
    }

    @Test
    void streamingChatModelReceivesThePiecesOfTheSameReply() throws Exception {
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey(KEY).modelName("tiny-chat")
                .temperature(0.0).maxTokens(24).timeout(Duration.ofSeconds(60)).build();
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Tell me a riddle.", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) { pieces.add(partial); }
            @Override public void onCompleteResponse(ChatResponse response) { done.complete(response); }
            @Override public void onError(Throwable error) { done.completeExceptionally(error); }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        String whole = chat("tiny-chat", 0.0).chat("Tell me a riddle.");
        assertEquals(whole, String.join("", pieces));
        assertEquals(whole, r.aiMessage().text());
        assertTrue(pieces.size() > 3, "streamed in pieces, not at once: " + pieces);
        assertEquals(OpenAiServerTest.greedyChat(List.of(ChatMessage.user("Tell me a riddle.")), 24), whole);
    }

    @Test
    void completionModelsWholeAndStreamed() throws Exception {
        OpenAiLanguageModel lm = OpenAiLanguageModel.builder().baseUrl(server.baseUrl()).apiKey(KEY).modelName("tiny-chat").temperature(0.0)
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
        Response<String> r = lm.generate("Q: What runs but never walks?\nA:");
        String expected = OpenAiServerTest.greedy("Q: What runs but never walks?\nA:", CompletionRoutes.DEFAULT_COMPLETION_TOKENS);
        assertEquals(expected, r.content());
        assertEquals(CompletionRoutes.DEFAULT_COMPLETION_TOKENS, r.tokenUsage().outputTokenCount(), "OpenAI's default max_tokens for completions");
        assertEquals(FinishReason.LENGTH, r.finishReason());

        OpenAiStreamingLanguageModel slm = OpenAiStreamingLanguageModel.builder().baseUrl(server.baseUrl()).apiKey(KEY).modelName("tiny-chat")
                .temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        List<String> pieces = new ArrayList<>();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        slm.generate("Q: What runs but never walks?\nA:", new StreamingResponseHandler<>() {
            @Override public void onNext(String token) { pieces.add(token); }
            @Override public void onComplete(Response<String> response) { done.complete(response); }
            @Override public void onError(Throwable error) { done.completeExceptionally(error); }
        });
        Response<String> streamed = done.get(60, TimeUnit.SECONDS);
        assertEquals(expected, String.join("", pieces));
        assertEquals(expected, streamed.content());
    }

    @Test
    void theServersErrorsBecomeTheClientsExceptions() {
        var notFound = assertThrows(ModelNotFoundException.class, () -> chat("gpt-4o", 0.0).chat("hi"));
        assertTrue(notFound.getMessage().contains("does not exist"), notFound.getMessage());
        var invalid = assertThrows(InvalidRequestException.class, () -> chat("tiny-chat", -0.5).chat("hi"));
        assertTrue(invalid.getMessage().contains("temperature"), invalid.getMessage());
        OpenAiChatModel wrongKey = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("not-the-key").modelName("tiny-chat").maxRetries(0).build();
        assertThrows(AuthenticationException.class, () -> wrongKey.chat("hi"));
    }
}
