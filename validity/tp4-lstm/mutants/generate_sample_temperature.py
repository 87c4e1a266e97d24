# target: generate.py
# lose: Q3
# message: tp4_gen_sample_temperature
# why: samples from softmax(logits / 0.8), a temperature the question does not ask for; the sentence test alone misses it
import torch as _torch_t


def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with _torch_t.no_grad():
        state = rnn.init_state(1)
        codes = string2code(start).tolist()
        device = rnn.hidden(state).device if isinstance(rnn.hidden(state), _torch_t.Tensor) else "cpu"
        for code in codes:
            state = rnn.one_step(emb(_torch_t.tensor([code], device=device)), state)
        out = []
        for _ in range(maxlen):
            logits = decoder(rnn.hidden(state))[0]
            if sample:
                code = int(_torch_t.multinomial(_torch_t.softmax(logits / 0.8, dim=-1), 1))
            else:
                code = int(logits.argmax())
            if code == eos:
                break
            out.append(code)
            state = rnn.one_step(emb(_torch_t.tensor([code], device=device)), state)
        return start + code2string(out)
