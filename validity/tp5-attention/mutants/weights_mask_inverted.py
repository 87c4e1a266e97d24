# lose: Q1, Q5
# message: tp5_weights_mask_inverted
# why: masks where the mask is True (the real positions), as if True meant "ignore" (nn.MultiheadAttention's attn_mask)
def attention_weights(scores, mask=None):
    if mask is not None:
        scores = scores.masked_fill(mask, -float("inf"))
    return scores.softmax(0)
