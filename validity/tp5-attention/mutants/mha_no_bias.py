# lose: Q3
# message: tp5_mha_no_bias
# why: projections without biases (bias=False everywhere): nn.MultiheadAttention has biases on the four projections
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj = nn.Linear(embed_dim, 3 * embed_dim, bias=False)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=False)

    def forward(self, query, key, value, mask=None):
        E, n_heads = self.embed_dim, self.num_heads
        w_q, w_k, w_v = self.in_proj.weight.chunk(3)
        Lq, B, _ = query.shape
        Lk = key.shape[0]

        def heads(x, w):
            return F.linear(x, w).reshape(x.shape[0], B * n_heads, E // n_heads)

        if mask is not None:
            mask = mask.expand(B, Lq, Lk).repeat_interleave(n_heads, dim=0)
        out, weights = scaled_dot_product_attention(heads(query, w_q), heads(key, w_k), heads(value, w_v), mask)
        return self.out_proj(out.reshape(Lq, B, E)), weights.view(B, n_heads, Lq, Lk).mean(dim=1)
