import { describe, expect, it } from 'vitest'
import type { QuickReply } from '../src/api/desk'
import { applyQuickReply, filterQuickReplies, slashQueryAt } from '../src/utils/quickReplies'

const qr = (id: string, title: string, text: string, rendered?: string): QuickReply => ({
  id,
  scope: 'shop',
  stage: '',
  step: '',
  title,
  text,
  position: 0,
  rendered,
})

describe('quick replies in the composer', () => {
  it('finds the slash command at the caret', () => {
    expect(slashQueryAt('/发货', 3)).toEqual({ start: 0, end: 3, query: '发货' })
    expect(slashQueryAt('亲 /fa', 5)).toEqual({ start: 2, end: 5, query: 'fa' })
    expect(slashQueryAt('line\n/', 6)).toEqual({ start: 5, end: 6, query: '' })
    expect(slashQueryAt('http://x', 8)).toBeNull()
    expect(slashQueryAt('a/b', 3)).toBeNull()
    expect(slashQueryAt('/done then', 10)).toBeNull()
  })

  it('filters by title first, then by the filled-in text', () => {
    const list = [qr('1', '发货通知', '订单{order_id}已发出', '订单T1已发出'), qr('2', '问候', '您好，发货很快'), qr('3', '收藏', '收藏店铺')]
    expect(filterQuickReplies(list, '发货').map((r) => r.id)).toEqual(['1', '2'])
    expect(filterQuickReplies(list, 't1').map((r) => r.id)).toEqual(['1'])
    expect(filterQuickReplies(list, '').map((r) => r.id)).toEqual(['1', '2', '3'])
  })

  it('replaces the command with the filled-in reply and puts the caret after it', () => {
    const text = '亲 /fa 谢谢'
    const slash = slashQueryAt(text, 5)!
    const out = applyQuickReply(text, slash, qr('1', '发货通知', '订单{order_id}已发出', '订单T1已发出'))
    expect(out).toEqual({ text: '亲 订单T1已发出 谢谢', caret: 9 })
  })
})
