import { computed, reactive, watch, type ComputedRef, type Ref } from 'vue'
import { api as defaultApi, type ApiClient } from '../api/client'
import type { ChannelSummary, Conversation } from '../api/types'

/**
 * The channels of the shops the user works in, as every member of staff may see them
 * (type and abilities), loaded once per shop: the inbox asks it whether the open
 * conversation's platform lets agents send images.
 */
export function createChannelDirectory(api: Pick<ApiClient, 'listChannels'>) {
  const state = reactive({ byId: {} as Record<string, ChannelSummary> })
  const loads = new Map<string, Promise<void>>()

  /** Loads a shop's channels unless already loaded (or loading). */
  function ensure(shopId: string): Promise<void> {
    let p = loads.get(shopId)
    if (!p) {
      p = api
        .listChannels<ChannelSummary>(shopId)
        .then((res) => {
          for (const ch of res.items ?? []) state.byId[ch.id] = ch
        })
        .catch(() => {
          loads.delete(shopId) // asked again on the next conversation opened
        })
      loads.set(shopId, p)
    }
    return p
  }

  function channel(id: string | null | undefined): ChannelSummary | null {
    return (id && state.byId[id]) || null
  }

  return { state, ensure, channel }
}

export const channelDirectory = createChannelDirectory(defaultApi)

/** Whether the conversation's channel lets agents send images (false until known). */
export function useSendsImages(
  conversation: Ref<Conversation | null>,
  directory = channelDirectory,
): ComputedRef<boolean> {
  watch(
    () => conversation.value?.shop_id,
    (shopId) => {
      if (shopId) void directory.ensure(shopId)
    },
    { immediate: true },
  )
  return computed(() => !!directory.channel(conversation.value?.channel_id)?.abilities?.sends_images)
}
