# why: raw nn.Parameter matrices used as x @ W (the transpose of nn.Linear's layout), separate biases, reuses scaled_dot_product_attention with heads folded head-major (i * B + b)
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        E = embed_dim
        self.Wq = nn.Parameter(torch.randn(E, E) / math.sqrt(E))
        self.Wk = nn.Parameter(torch.randn(E, E) / math.sqrt(E))
        self.Wv = nn.Parameter(torch.randn(E, E) / math.sqrt(E))
        self.Wo = nn.Parameter(torch.randn(E, E) / math.sqrt(E))
        self.bq = nn.Parameter(torch.zeros(E))
        self.bk = nn.Parameter(torch.zeros(E))
        self.bv = nn.Parameter(torch.zeros(E))
        self.bo = nn.Parameter(torch.zeros(E))

    def forward(self, query, key, value, mask=None):
        h = self.num_heads
        Lq, B, E = query.shape
        Lk, d = key.shape[0], E // h

        def fold(x):  # (L, B, E) -> (L, h * B, d), head-major
            L = x.shape[0]
            return x.view(L, B, h, d).transpose(1, 2).reshape(L, h * B, d)

        q = fold(query @ self.Wq + self.bq)
        k = fold(key @ self.Wk + self.bk)
        v = fold(value @ self.Wv + self.bv)
        if mask is not None:
            mask = mask.expand(B, Lq, Lk).repeat(h, 1, 1)
        out, w = scaled_dot_product_attention(q, k, v, mask)  # (Lq, h*B, d), (h*B, Lq, Lk)
        out = out.view(Lq, h, B, d).transpose(1, 2).reshape(Lq, B, E)
        return out @ self.Wo + self.bo, w.view(h, B, Lq, Lk).mean(0)
