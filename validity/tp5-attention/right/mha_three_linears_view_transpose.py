# why: three nn.Linear (q, k, v) declared in another order, heads split with view + transpose batch-first, its own attention, mask broadcast over heads
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.d_k = embed_dim // num_heads
        self.value_layer = nn.Linear(embed_dim, embed_dim)
        self.query_layer = nn.Linear(embed_dim, embed_dim)
        self.key_layer = nn.Linear(embed_dim, embed_dim)
        self.final = nn.Linear(embed_dim, embed_dim)

    def _split(self, x):  # (L, B, E) -> (B, h, L, d_k)
        L, B, _ = x.size()
        return x.transpose(0, 1).reshape(B, L, self.num_heads, self.d_k).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        Lq, B, E = query.size()
        q = self._split(self.query_layer(query))
        k = self._split(self.key_layer(key))
        v = self._split(self.value_layer(value))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.d_k)
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
        p = torch.softmax(scores, dim=-1)  # (B, h, Lq, Lk)
        ctx = torch.matmul(p, v).transpose(1, 2).contiguous().view(B, Lq, E).transpose(0, 1)
        return self.final(ctx), p.mean(dim=1)
