// The signed-in user's shop (name, timezone, currency) and login, loaded once for every page.
import { type ComponentChildren, createContext } from "preact";
import { useContext } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { Show, useLoad } from "./load";

export interface Shop {
  business: Schemas["BusinessView"];
  me: Schemas["UserView"];
}

const ShopContext = createContext<Shop | null>(null);

export function ShopProvider(props: { children: ComponentChildren }) {
  const [loaded, retry] = useLoad(async () => {
    const [business, me] = await Promise.all([api.GET("/api/v1/business"), api.GET("/api/v1/me")]);
    if (business.data && me.data) return { data: { business: business.data, me: me.data } };
    return { error: business.error ?? me.error };
  }, []);
  return (
    <Show loaded={loaded} retry={retry}>
      {(shop) => <ShopContext.Provider value={shop}>{props.children}</ShopContext.Provider>}
    </Show>
  );
}

export function useShop(): Shop {
  const shop = useContext(ShopContext);
  if (!shop) throw new Error("useShop outside ShopProvider");
  return shop;
}
