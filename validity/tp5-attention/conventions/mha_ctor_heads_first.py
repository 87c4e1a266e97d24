# convention: MultiHeadAttention(num_heads, d_model): the number of heads first, the model size named d_model (the Transformer paper's names); three Linears
# price:
class MultiHeadAttention(nn.Module):
    def __init__(self, num_heads, d_model):
        super().__init__()
        assert d_model % num_heads == 0
        self.num_heads, self.d_model = num_heads, d_model
        self.embed_dim = d_model
        self.W_q = nn.Linear(d_model, d_model)
        self.W_k = nn.Linear(d_model, d_model)
        self.W_v = nn.Linear(d_model, d_model)
        self.W_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        Lq, B, E = query.shape
        Lk, h = key.shape[0], self.num_heads
        q = self.W_q(query).reshape(Lq, B * h, E // h)
        k = self.W_k(key).reshape(Lk, B * h, E // h)
        v = self.W_v(value).reshape(Lk, B * h, E // h)
        if mask is not None:
            mask = mask.expand(B, Lq, Lk).repeat_interleave(h, dim=0)
        out, w = scaled_dot_product_attention(q, k, v, mask)
        return self.W_o(out.reshape(Lq, B, E)), w.view(B, h, Lq, Lk).mean(1)
