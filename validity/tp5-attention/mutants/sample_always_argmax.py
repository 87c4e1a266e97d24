# lose: Q6
# message: tp5_sample_distribution
# why: "samples" with argmax whatever the temperature (greedy decoding)
def sample(logits, temperature=1.0):
    probs = F.softmax(logits / max(temperature, 1e-8), dim=-1)
    return probs.argmax(-1)
