# convention: scaled_dot_product_attention written batch-first, Q (B, Lq, d_k), K (B, Lk, d_k), V (B, Lk, d_v) -> output (B, Lq, d_v), weights (B, Lq, Lk); the student's MultiHeadAttention calls it batch-first
# price: Q2=1
def scaled_dot_product_attention(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ V, weights


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj = nn.Linear(embed_dim, 3 * embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, query, key, value, mask=None):
        E, h = self.embed_dim, self.num_heads
        w_q, w_k, w_v = self.in_proj.weight.chunk(3)
        b_q, b_k, b_v = self.in_proj.bias.chunk(3)
        Lq, B, _ = query.shape
        Lk = key.shape[0]

        def heads(x, w, b):  # (L, B, E) -> (B * h, L, E / h)
            return F.linear(x, w, b).reshape(x.shape[0], B * h, E // h).transpose(0, 1)

        if mask is not None:
            mask = mask.expand(B, Lq, Lk).repeat_interleave(h, dim=0)
        out, weights = scaled_dot_product_attention(heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v), mask)
        out = self.out_proj(out.transpose(0, 1).reshape(Lq, B, E))
        return out, weights.view(B, h, Lq, Lk).mean(dim=1)
