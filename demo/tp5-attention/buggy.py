# why: demo — everything written, with three classic mistakes: no 1/sqrt(d_k) in the scaled
# why: dot-product attention (which the multi-head attention reuses), the backward states of the
# why: bidirectional GRU not put back in position order, and a temperature that multiplies the logits.
# base: reference
def scaled_dot_product_attention(Q, K, V, mask=None):
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = q @ k.transpose(-2, -1)  # forgot the / sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v).transpose(0, 1), weights


class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.gru_fw = nn.GRUCell(input_size, hidden_size)
        self.gru_bw = nn.GRUCell(input_size, hidden_size)

    def forward(self, x):
        L, B, _ = x.shape
        h_fw = torch.zeros(B, self.hidden_size)
        h_bw = torch.zeros(B, self.hidden_size)
        fw, bw = [], []
        for t in range(L):
            h_fw = self.gru_fw(x[t], h_fw)
            h_bw = self.gru_bw(x[L - 1 - t], h_bw)
            fw.append(h_fw)
            bw.append(h_bw)  # never reversed back
        return torch.cat([torch.stack(fw), torch.stack(bw)], dim=-1), torch.stack([h_fw, h_bw])


def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits * temperature, dim=-1)
    return torch.multinomial(probs.reshape(-1, logits.shape[-1]), 1).reshape(logits.shape[:-1])
