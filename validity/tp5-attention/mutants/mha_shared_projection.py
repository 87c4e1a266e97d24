# lose: Q3
# message: tp5_mha_layout_unknown
# why: one Linear E -> E shared by the queries, keys and values (the course's three projections W^Q, W^K, W^V are one)
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, query, key, value, mask=None):
        Lq, B, E = query.shape
        Lk, h = key.shape[0], self.num_heads

        def heads(x):
            return self.proj(x).reshape(x.shape[0], B * h, E // h)

        if mask is not None:
            mask = mask.expand(B, Lq, Lk).repeat_interleave(h, dim=0)
        out, w = scaled_dot_product_attention(heads(query), heads(key), heads(value), mask)
        return self.out_proj(out.reshape(Lq, B, E)), w.reshape(B, h, Lq, Lk).mean(1)
