# lose: Q3
# message: tp5_mha_mask_leak
# why: forward accepts mask but never passes it on: padded keys still get attention
class MultiHeadAttention(MultiHeadAttention):
    def forward(self, query, key, value, mask=None):
        E, n_heads = self.embed_dim, self.num_heads
        w_q, w_k, w_v = self.in_proj.weight.chunk(3)
        b_q, b_k, b_v = self.in_proj.bias.chunk(3)
        Lq, B, _ = query.shape
        Lk = key.shape[0]

        def heads(x, w, b):
            return F.linear(x, w, b).reshape(x.shape[0], B * n_heads, E // n_heads)

        out, weights = scaled_dot_product_attention(
            heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v)
        )
        out = self.out_proj(out.reshape(Lq, B, E))
        return out, weights.view(B, n_heads, Lq, Lk).mean(dim=1)
